import pkg from '../package.json' with { type: 'json' };

/** The gateway's release version (from package.json), reported by `/health`. */
export const VERSION: string = pkg.version;
