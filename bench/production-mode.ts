/*
 * Production runs Finch with NODE_ENV=production in its environment (Dockerfile, compose), and
 * some libraries read that variable themselves, once, when they are loaded — graphql-js's
 * `instanceOf`, for one, otherwise checks every value for a second copy of graphql-js on
 * every call (about 0.15 ms of a GraphQL listing's 2–4 ms in a profile). Finch's own settings
 * come from the object the harness gives `loadConfig`, so this changes nothing else. Imported
 * first by run.ts, so that it is set before those libraries load.
 */
process.env.NODE_ENV = 'production';
