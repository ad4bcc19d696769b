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

export const taurusBackups = [
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
];
