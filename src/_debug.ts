import { debuglog } from 'node:util';

/** Diagnostics for maintainers, printed only with `NODE_DEBUG=ml-tracking`. */
export const debug = debuglog('ml-tracking');
