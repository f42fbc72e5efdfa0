// NestJS pieces of the kit, behind the `@groundtruth/service-kit/http` subpath so that services without an HTTP
// API (and the kit's other users) do not load Nest.
export * from './zod-validation.pipe.js';
