// Jest over the SuiteCloud stubs. Run from this folder (npm test): the builder resolves
// 'src' and the SuiteScripts/ module mapping from the current directory. rootDir stays unset
// on purpose: with @oracle/suitecloud-unit-testing 1.9.1 setting it breaks every N/* mapping.
const SuiteCloudJestConfiguration = require('@oracle/suitecloud-unit-testing/jest-configuration/SuiteCloudJestConfiguration');

// The account zone the tests pretend to run in: it has daylight saving, so day arithmetic done
// with Date objects would go wrong across 2024-03-10 and 2024-11-03 and the tests would see it.
process.env.TZ = 'America/Los_Angeles';

module.exports = {
    ...SuiteCloudJestConfiguration.build({
        projectFolder: 'src',
        projectType: SuiteCloudJestConfiguration.ProjectType.ACP
    }),
    testMatch: ['<rootDir>/tests/**/*.test.js'],
    setupFiles: ['<rootDir>/tests/support/netsuite_globals.js']
};
