// Global setup of the test projects that serve the web app: build it once, before test files start platforms in
// parallel (each `npm start` would otherwise find it stale and build it again).
import { buildWeb } from '../../local/build-web.js';

export default async function setup(): Promise<void> {
  await buildWeb();
}
