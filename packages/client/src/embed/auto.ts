// The entry of kassa.js, loaded with a script tag:
//
//   <script src="https://pay.example.com/widget/kassa.js" data-checkout="pay_…" data-publishable-key="pk_…"></script>
//
// With both data attributes it mounts the checkout in a `<div class="kassa-checkout">` right after
// itself (so put the tag where the checkout belongs, in the body). Either way it defines
// `window.Kassa.mount(element, options)`, where `apiUrl` defaults to the origin kassa.js came from.
import { mount, type KassaEmbed, type MountOptions } from './mount';

export type LoaderMountOptions = Omit<MountOptions, 'apiUrl'> & Readonly<{ apiUrl?: string }>;
export type KassaLoader = Readonly<{ mount(element: HTMLElement, options: LoaderMountOptions): KassaEmbed }>;

// Only defined while this script is first evaluated, so read it now.
const script = document.currentScript;
const scriptOrigin = script instanceof HTMLScriptElement && script.src ? new URL(script.src).origin : '';

const loader: KassaLoader = {
  mount: (element, options) => mount(element, { ...options, apiUrl: options.apiUrl ?? scriptOrigin }),
};
const host: Window & { Kassa?: KassaLoader } = window;
host.Kassa = loader;

const checkoutId = script?.getAttribute('data-checkout');
const publishableKey = script?.getAttribute('data-publishable-key');
if (script && checkoutId && publishableKey) {
  const container = document.createElement('div');
  container.className = 'kassa-checkout';
  // Mount first: bad attributes throw before anything is added to the page.
  loader.mount(container, { checkoutId, publishableKey });
  script.after(container);
}
