// SuiteCloud CLI project settings: `suitecloud project:deploy` run in this folder deploys src/.
module.exports = {
    defaultProjectFolder: 'src',
    commands: {}
};
