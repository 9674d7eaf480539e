// `ml-tracking/ui`: the local dashboard's server, for serving it from a program or a notebook.
export { startUiServer } from './server/start-ui-server.js';
export type { StartUiServerOptions, UiServer } from './server/start-ui-server.js';
export { createUiApp } from './server/create-ui-app.js';
export type { UiAppOptions } from './server/create-ui-app.js';
export type * from './api.js';
