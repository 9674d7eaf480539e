/** The dashboard's entry: mounts the app into the page `index.html` serves for every URL. */
import { render } from 'preact';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
