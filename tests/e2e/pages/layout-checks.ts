// What every screen must do at every width: fit without sideways scrolling, keep its actions on screen,
// have touch-sized controls on narrow screens, and pass axe at the phone and laptop widths.
import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const AXE_WIDTHS = new Set([390, 1280]);

export async function expectFits(page: Page, screen: string) {
	const { scrollWidth, innerWidth } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: window.innerWidth
	}));
	expect(scrollWidth, `${screen}: the page scrolls sideways`).toBeLessThanOrEqual(innerWidth);
}

export async function expectInViewport(page: Page, locator: Locator, what: string) {
	const box = await locator.boundingBox();
	const size = page.viewportSize()!;
	expect(box, `${what} is on screen`).not.toBeNull();
	expect(box!.x, `${what}: left edge`).toBeGreaterThanOrEqual(0);
	expect(box!.y, `${what}: top edge`).toBeGreaterThanOrEqual(0);
	expect(box!.x + box!.width, `${what}: right edge`).toBeLessThanOrEqual(size.width);
	expect(box!.y + box!.height, `${what}: bottom edge`).toBeLessThanOrEqual(size.height);
}

export async function expectTouchSized(scope: Locator, width: number) {
	if (width > 768) return;
	const heights = await scope
		.locator('button:visible, select:visible, input:visible')
		.evaluateAll((els) => els.map((el) => ({ what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height })));
	const small = heights.filter((h) => h.height < 44);
	expect(small, 'controls under 44 px high').toEqual([]);
}

export async function expectAccessible(page: Page, width: number, screen: string) {
	if (!AXE_WIDTHS.has(width)) return;
	const results = await new AxeBuilder({ page }).analyze();
	const serious = results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	expect(serious, `${screen} at ${width} px`).toEqual([]);
}
