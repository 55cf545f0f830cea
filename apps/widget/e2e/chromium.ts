/** Debian's Chromium (see DEVELOPERS.md); `.ci/run` installs it. Never a browser download. */
export const CHROMIUM = process.env['KASSA_CHROMIUM'] ?? '/usr/bin/chromium';
