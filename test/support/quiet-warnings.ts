import { quietHarmlessWarnings } from '../../src/log/process-warnings.js';

// the test processes run the gRPC simulator too: the same warnings left out as in `zhimi`
quietHarmlessWarnings();
