import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC (not esbuild) transpiles specs so NestJS gets decorator metadata, exactly as tsc emits it for the build.
const swcPlugin = () =>
  swc.vite({
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  });

const shared = {
  plugins: [swcPlugin()],
  resolve: { conditions: ['@groundtruth/source'] },
};

export default defineConfig({
  test: {
    env: { TZ: 'UTC' },
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['**/src/**/*.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.spec.ts'],
          env: { TZ: 'UTC' },
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['**/*.int.spec.ts', 'test/**/*.e2e.spec.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['./test/setup/global-setup.ts'],
          env: { TZ: 'UTC' },
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
