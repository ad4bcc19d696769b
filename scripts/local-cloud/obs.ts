import { createHash } from 'node:crypto';

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  eTag: string;
  lastModified: Date;
}

/** The objects "uploaded" to OBS; DRS reads it to find backup files. */
export class ObsStore {
  private readonly objects = new Map<string, StoredObject>();
  private version = 0;

  /** Stores (or replaces) an object; each upload gets a new eTag, as a re-upload does in OBS. */
  put(bucket: string, key: string, size = 1024 * 1024): StoredObject {
    this.version += 1;
    const eTag = createHash('md5').update(`${bucket}/${key}#${this.version}`).digest('hex');
    const object = { bucket, key, size, eTag, lastModified: new Date() };
    this.objects.set(`${bucket}/${key}`, object);
    return object;
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  list(bucket: string, prefix = ''): StoredObject[] {
    return [...this.objects.values()].filter((o) => o.bucket === bucket && o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
  }
}
