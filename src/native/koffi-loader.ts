// koffi for bench/'s A/B build only (PROCWARDEN_NATIVE=koffi): loaded like the addon.

import type * as Koffi from 'koffi';

export type KoffiApi = typeof Koffi;
