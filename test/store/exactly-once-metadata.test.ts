import { describeFaultMatrix, useFaultFixture } from './_exactly-once-suite.js';

describeFaultMatrix(useFaultFixture('exactly-once-metadata'), 'metadata');
