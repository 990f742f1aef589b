/** Whether the tests run in CI (`CI` set to anything but empty, 0 or false): there, a missing binary fails instead of skipping. */
export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
