// ESLint 9 flat config. eslint-plugin-suitescript 1.4.1 ships only legacy configs, so its
// rules are listed here by hand (its "all" set). Scripts are linted as ES2019, the language
// level SuiteScript 2.1 is safe with, and as AMD scripts with NetSuite's global `log`.
const js = require('@eslint/js');
const suitescript = require('eslint-plugin-suitescript');

const suitescriptRules = {
    'suitescript/api-version': 'error',
    'suitescript/entry-points': 'error',
    'suitescript/log-args': 'error',
    'suitescript/module-vars': ['error', {
        'N/crypto': 'crypto', 'N/encode': 'encode', 'N/error': 'error', 'N/format': 'format', 'N/https': 'https',
        'N/query': 'query', 'N/record': 'record', 'N/runtime': 'runtime', 'N/task': 'task'
    }],
    'suitescript/no-amd-name': 'error',
    'suitescript/no-extra-modules': 'error',
    'suitescript/no-invalid-modules': 'error',
    'suitescript/no-log-module': 'error',
    'suitescript/no-module-extensions': 'error',
    'suitescript/script-type': 'error'
};

const nodeGlobals = {
    require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly'
};
const jestGlobals = {
    describe: 'readonly', test: 'readonly', it: 'readonly', expect: 'readonly', jest: 'readonly',
    beforeEach: 'readonly', afterEach: 'readonly', beforeAll: 'readonly', afterAll: 'readonly'
};

module.exports = [
    { ignores: ['node_modules/**'] },
    js.configs.recommended,
    {
        files: ['src/**/*.js'],
        plugins: { suitescript: suitescript },
        languageOptions: {
            ecmaVersion: 2019,
            sourceType: 'script',
            globals: { define: 'readonly', log: 'readonly' }
        },
        rules: Object.assign({ 'no-var': 'error', 'prefer-const': 'error', strict: 'off' }, suitescriptRules)
    },
    {
        files: ['tests/**/*.js', '*.js'],
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: 'commonjs',
            globals: Object.assign({ global: 'writable', log: 'readonly' }, nodeGlobals, jestGlobals)
        }
    }
];
