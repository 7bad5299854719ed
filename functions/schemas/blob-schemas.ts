import { z } from '@hono/zod-openapi';

export const UploadedBlobSchema = z
  .object({
    url: z.string().openapi({
      description: 'the tarball URL for a job spec (`source.url`): `s3://bucket/key` on S3, `file:///…` on the local-directory store',
      example: 's3://ci-bucket/blobs/sha256/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).openapi({ description: 'lowercase hex digest of the stored bytes; pass it as the source’s `sha256`' }),
    size: z.number().int().nonnegative(),
  })
  .openapi('UploadedBlob');
