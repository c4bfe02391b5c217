/** Below this many evaluation images, correlations are shown with a warning. */
export const SMALL_SET_IMAGES = 10;

/**
 * A warning to show beside SRCC/KRCC/PLCC computed over `n` images, or null when
 * `n` is large enough. With a handful of images one image can swing a
 * correlation by tenths and nearly any value arises by chance, and below 4
 * images (the logistic's 4 parameters) the fitted PLCC is just the raw PLCC.
 */
export function smallSetWarning(n: number): string | null {
  if (!(n >= SMALL_SET_IMAGES)) {
    if (!(n >= 2)) {
      return n === 1
        ? 'Only 1 evaluation image: no correlation can be computed from one image.'
        : 'No evaluation images: no correlation can be computed.';
    }
    const fit = n < 4 ? ' (and too few for the logistic fit, so the fitted PLCC is the raw PLCC)' : '';
    return (
      `Only ${n} evaluation images${fit}: correlations over fewer than ${SMALL_SET_IMAGES} images mean little — ` +
      'one image can swing them widely. Use a larger test set before comparing models.'
    );
  }
  return null;
}
