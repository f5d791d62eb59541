// NetSuite injects a global `log` into every server script; the stubs do not. Each test file
// gets fresh mocks so tests can assert on what was logged.
global.log = {
    debug: jest.fn(),
    audit: jest.fn(),
    error: jest.fn(),
    emergency: jest.fn()
};
