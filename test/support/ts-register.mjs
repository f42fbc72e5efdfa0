// `node --import <this file>`: registers the SWC TypeScript hooks of ./ts-hooks.mjs in a child process or worker.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
