// Lint for the whole tree, run by `npm test`. Type-aware (typescript-eslint's project service), so rules
// like no-floating-promises see which calls return promises: an unhandled one in this app is a sync pass
// or a database write whose failure nobody hears of.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'node_modules/',
			'test-results/',
			'.test-reports/',
			'bench-results/',
			'playwright-report/',
			'static/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{ languageOptions: { globals: { ...globals.browser, ...globals.node } } },
	{
		files: ['**/*.ts', '**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig } }
	},
	{
		// Plain JS, and the service worker (Kit compiles it apart from the app, outside its tsconfig).
		files: ['**/*.js', '**/*.mjs', 'src/service-worker.ts'],
		...ts.configs.disableTypeChecked
	},
	{
		rules: {
			// Braces wherever a body spans lines; a one-line `if (done) return;` stays as it is.
			curly: ['error', 'multi-line'],
			'svelte/button-has-type': 'error',
			// State classes replace their Maps and Sets whole ($state.raw) or keep listener registries that
			// nothing renders; SvelteMap would make 100,000-entry lookups reactive for nothing.
			'svelte/prefer-svelte-reactivity': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }]
		}
	},
	{
		files: ['**/*.ts', '**/*.svelte', '**/*.svelte.ts'],
		ignores: ['**/*.js', '**/*.mjs', 'src/service-worker.ts'],
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }]
		}
	}
);
