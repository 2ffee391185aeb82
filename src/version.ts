// The release version, kept equal to package.json's by a test (src/version.test.ts).
export const VERSION = '0.1.0';
