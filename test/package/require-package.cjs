// CommonJS users: `require('ml-tracking')` and its subpaths must load (Node 20.19+ and 22.12+
// load ES modules through require() when their graph has no top-level await).
const root = require('ml-tracking');
const store = require('ml-tracking/store');
const metrics = require('ml-tracking/metrics');
const looker = require('ml-tracking/looker');
const ui = require('ml-tracking/ui');
process.stdout.write(
  JSON.stringify({
    root: Object.keys(root).sort(),
    store: Object.keys(store).sort(),
    metrics: Object.keys(metrics).sort(),
    looker: Object.keys(looker).sort(),
    ui: Object.keys(ui).sort(),
  }),
);
