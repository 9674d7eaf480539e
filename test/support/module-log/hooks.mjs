// Module hooks that name, on standard error, every file module a process loads (`LOADED <url>`).
export async function load(url, context, next) {
  if (url.startsWith('file:')) process._rawDebug(`LOADED ${url}`);
  return next(url, context);
}
