/**
 * The headers every answer carries, and the Host check that keeps other web sites out. The page
 * shows strings from the store (project names, hyperparameters, log lines) that anyone who can
 * write to the bucket chose: the app renders them as text, and the policy below forbids inline
 * scripts, so even a slip there could not run one.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** `Content-Security-Policy`, `X-Content-Type-Options: nosniff` and friends, on every answer. */
export const securityHeaders = (): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      // uPlot and Vega position their elements with style attributes.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
  });

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Answers 403 to a request whose `Host` is not a loopback name. A server on 127.0.0.1 is still
 * reachable from any web page the user opens, through DNS rebinding (a site's name re-pointed at
 * 127.0.0.1): the browser then sends that site's name as `Host`, which this refuses. Only used
 * when the server listens on a loopback address; with `--host` the user chose to be reachable.
 */
export const loopbackHostsOnly = (): MiddlewareHandler => async (c, next) => {
  const host = c.req.header('host') ?? '';
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (!LOOPBACK_NAMES.has(name)) {
    return c.json(
      {
        error: {
          code: 'ERR_HOST_NOT_ALLOWED',
          message: `This dashboard answers requests for localhost only, not for "${host}". Open it at the address ml-tracking ui printed.`,
        },
      },
      403,
    );
  }
  await next();
};
