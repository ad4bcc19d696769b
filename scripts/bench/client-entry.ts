// The API client alone, bundled twice by build.mjs: with our transport and with the HcClient one.
export { createHuaweiClient } from '../../shared/huawei/client';
