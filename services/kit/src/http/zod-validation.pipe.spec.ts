import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZodValidationPipe, type ValidationDetails } from './zod-validation.pipe.js';

class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: ValidationDetails,
  ) {
    super(message);
  }
}

const pipe = new ZodValidationPipe((message, details) => new ServiceError('VALIDATION', message, details));
const body = z.object({ name: z.string().min(2), tags: z.array(z.string()) });

describe('ZodValidationPipe', () => {
  it('passes a valid value on, transformed by its schema', async () => {
    const schema = z.object({ n: z.coerce.number() });
    await expect(pipe.transform({ n: '5' }, { type: 'query', schema })).resolves.toEqual({ n: 5 });
  });

  it("turns a mismatch into the service's error naming where it was and each failing path", async () => {
    const error = await pipe.transform({ name: 'x', tags: ['a', 7] }, { type: 'body', schema: body }).catch((e) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: 'VALIDATION',
      message: 'the request does not match the API schema (body)',
      details: { in: 'body', issues: [{ path: 'name' }, { path: 'tags.1' }] },
    });
    expect(Object.keys((error as ServiceError).details)).toEqual(['in', 'issues']);
  });

  it('names the parameter of a @Param or @Query mismatch', async () => {
    const schema = z.coerce.number().int().min(0);
    await expect(pipe.transform('-1', { type: 'param', data: 'epoch', schema })).rejects.toMatchObject({
      message: 'the request does not match the API schema (param "epoch")',
      details: { in: 'param', issues: [{ path: '' }] },
    });
  });

  it('leaves values without a schema alone', async () => {
    await expect(pipe.transform({ anything: 1 }, { type: 'body' })).resolves.toEqual({ anything: 1 });
  });
});
