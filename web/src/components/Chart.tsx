import { useEffect, useRef } from 'react';
import { echarts, type EChartsOption } from './echarts.ts';

/**
 * One chart. `label` is what a screen reader hears (the chart's title and its gist in words);
 * the canvas itself is hidden from assistive technology.
 */
export function Chart({ option, label, height = 280, testId, onClick }: { option: EChartsOption; label: string; height?: number; testId?: string; onClick?: (p: { name?: string; data?: unknown; seriesName?: string }) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const el = ref.current!;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    // what is drawn can be checked from outside (browser tests: axis extents, legend colours)
    Object.defineProperty(el, 'echarts', { value: c, configurable: true });
    c.on('click', (p) => click.current?.(p as never));
    // 'finished' never comes while an effect (the alerts' ripples) animates: the first frame drawn will do
    const ready = () => {
      if (!el.hasAttribute('data-ready')) el.setAttribute('data-ready', 'true');
    };
    c.on('finished', ready);
    c.on('rendered', ready);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ animationDuration: 300, textStyle: { fontFamily: 'inherit' }, ...option }, { notMerge: true });
  }, [option]);

  return (
    <div className="chart" role="img" aria-label={label} data-chart={testId} style={{ height }}>
      <div ref={ref} style={{ width: '100%', height: '100%' }} aria-hidden="true" />
    </div>
  );
}
