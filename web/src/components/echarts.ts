/** ECharts, with only the parts the screens use (a smaller bundle). */
import { BarChart, EffectScatterChart, LineChart, LinesChart, PieChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import region from 'virtual:region-geo';

echarts.use([BarChart, LineChart, PieChart, ScatterChart, EffectScatterChart, LinesChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, GeoComponent, CanvasRenderer]);

/** The region's countries, registered once, drawn from world-atlas without any network. */
export const REGION_MAP = 'centinela-region';
echarts.registerMap(REGION_MAP, region as Parameters<typeof echarts.registerMap>[1]);

export { echarts };
export type EChartsOption = echarts.EChartsCoreOption;
