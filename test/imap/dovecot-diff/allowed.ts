import type { AllowedDifference } from './compare.ts';
export const allowed: AllowedDifference[] = [];
