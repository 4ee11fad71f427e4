// `cdk synth` / `cdk deploy` entry point (cdk.json). Offline: no context lookups, NodejsFunction bundles with the
// local esbuild.
import { buildApp } from '../synth.js';

buildApp().app.synth();
