/** Seed data shaped exactly like the example responses in ../shared/reference. */

export const dcsMigrationTasks = [
  {
    task_name: 'migration1',
    task_id: 'a276c1ffa0a54c2597fc824b917db317',
    status: 'TERMINATING',
    migration_type: 'incremental_migration',
    network_type: 'vpc',
    source_instance: {
      addrs: '192.168.1.2:6379',
      id: '86157b69-8a62-47f9-8c55-fa6ddc8927e1',
      name: 'dcs-test',
      ip: '192.168.1.2',
      port: '6379',
      proxy_multi_db: false,
      password: 'DCStest123',
      task_status: 'RUNNING',
      db: '0',
    },
    target_instance: {
      addrs: '192.168.1.2:6379',
      id: '86157b69-8a62-47f9-8c55-fa6ddc8927ee',
      name: 'test-instance',
      ip: '192.168.1.2',
      port: '6379',
      proxy_multi_db: false,
      password: 'DCStest123',
      task_status: 'RUNNING',
      db: '0',
    },
    created_at: '2019/10/22 14:44:30',
    updated_at: '2019/10/22 18:00:00',
  },
];

/** A TaurusDB backup as the list answers it: the reference example's fields and what the service adds. */
export interface TaurusBackupRecord {
  id: string;
  name: string;
  type: string;
  /** MB, possibly fractional (the reference page says KB; the service answers MB). */
  size: number;
  /** BUILDING, COMPLETED, FAILED, DELETING as documented; AVAILABLE for a finished backup as the service answers. */
  status: string;
  begin_time: string;
  end_time: string;
  datastore: { type: string; version: string };
  instance_id: string;
  associated_with_ddm?: boolean;
  /** "0", "1" or "2", a string, present when first-level backups are on. */
  backup_level?: string;
  take_up_time?: number;
  description?: string | null;
}

export const taurusBackups: TaurusBackupRecord[] = [
  {
    id: '43e4feaab48f11e89039fa163ebaa7e4br01',
    name: 'xxxx.xxx',
    type: 'auto',
    size: 2803,
    status: 'COMPLETED',
    begin_time: '2018-08-06T12:41:14+0800',
    end_time: '2018-08-06T12:43:14+0800',
    datastore: { type: 'MySQL', version: '5.7' },
    instance_id: 'a48e43ff268f4c0e879652d65e63d0fbin01',
    associated_with_ddm: false,
  },
  {
    // Shaped like a live answer rather than the page's example: AVAILABLE, size in MB, backup_level a string.
    id: '7c2f1e0a9b8d4c6e8f1a2b3c4d5e6f70br01',
    name: 'gaussdb-mysql-auto-20180809',
    type: 'auto',
    size: 27.5,
    status: 'AVAILABLE',
    begin_time: '2018-08-09T02:00:05+0800',
    end_time: '2018-08-09T02:03:41+0800',
    datastore: { type: 'gaussdb-mysql', version: '8.0' },
    instance_id: 'a48e43ff268f4c0e879652d65e63d0fbin01',
    backup_level: '0',
    take_up_time: 3,
    description: null,
  },
];
