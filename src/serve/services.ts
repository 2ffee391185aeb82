// The protocols `homepost serve` starts, in order.
import type { ServiceStarter } from './context.ts';

export const serviceStarters: ServiceStarter[] = [];
