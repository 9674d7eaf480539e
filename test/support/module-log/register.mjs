// `node --import <this file> …`: the process names each file module it loads (see hooks.mjs).
import { register } from 'node:module';

register(new URL('hooks.mjs', import.meta.url));
