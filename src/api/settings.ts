// Writing one setting of the registry the way every API method does: a value that leaves out a
// secret part keeps the stored one (SettingDef.carry), the value is checked against its rule, and
// a refusal is the API's "invalid" naming the key and the rule.
import { SettingError, validate, type SettingDef } from '../settings/define.ts';
import { ApiError, type ApiContext } from './method.ts';

export async function writeSetting<T>(ctx: ApiContext, def: SettingDef<T>, value: unknown): Promise<T> {
  const stored = ctx.store.settings.get<unknown>(def.key, undefined);
  const current = stored === undefined ? undefined : def.check(stored);
  const next = def.carry && current !== undefined ? def.carry(current, value) : value;
  let checked: T;
  try {
    checked = validate(def, next);
  } catch (e) {
    if (e instanceof SettingError) throw new ApiError('invalid', e.message);
    throw e;
  }
  await ctx.store.settings.set(def.key, checked);
  return checked;
}
