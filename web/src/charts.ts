import { defineAsyncComponent, h } from 'vue';

/**
 * The chart component, loaded when a chart is first drawn: ECharts is the
 * console's largest module, and a page's tiles and tables show without
 * waiting for it.
 */
export const VChart = defineAsyncComponent({
  loader: () => import('./echarts-setup'),
  loadingComponent: { render: () => h('div', { class: 'chart chart-loading' }) },
  delay: 0,
});

/** Colours of the console's series (Element Plus palette). */
export const COLORS = ['#409eff', '#67c23a', '#e6a23c', '#f56c6c', '#909399', '#9b59b6', '#1abc9c'] as const;
