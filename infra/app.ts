import { createGatewayApp } from './gateway-app.js';

// Account and region come from the CLI's environment (`cdk deploy --profile ...`); the stack is
// environment-agnostic.
createGatewayApp().app.synth();
