// The on-backup-upload function as deployed, bundled with the HcClient transport (see hc-transport.ts).
export * from '../../../functions/on-backup-upload/index';
