// The poll-jobs function as deployed, bundled with the HcClient transport (see hc-transport.ts).
export * from '../../../functions/poll-jobs/index';
