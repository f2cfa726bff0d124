// The analytics charts (Recharts, loaded with this lazy page only). Each chart is a figure with a caption; the table
// below them (AnalyticsTable) carries the same numbers for screen readers and for copying.
import type { ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useI18n } from '../../../lib/i18n';
import type { Analytics, Period } from '../api/analytics';

const colors = ['#2f6fde', '#1a7f37', '#c2410c', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f'];

function Chart({ title, children }: { title: string; children: ReactNode }) {
  return (
    <figure className="analytics-chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={220} initialDimension={{ width: 520, height: 220 }}>
        {children as React.ReactElement}
      </ResponsiveContainer>
    </figure>
  );
}

export function AnalyticsCharts({ analytics }: { analytics: Analytics }) {
  const { t } = useI18n();
  const series = analytics.series;
  const reasons = Object.keys(analytics.totals.escalations_by_reason).sort();
  const rows = series.map((period: Period) => ({
    ...period,
    automation_percent: period.automation_rate === null ? null : Math.round(period.automation_rate * 1000) / 10,
    ...Object.fromEntries(reasons.map((reason) => [`reason_${reason}`, period.escalations_by_reason[reason] ?? 0])),
  }));
  const axis = <XAxis dataKey="period" fontSize={12} />;
  return (
    <div className="analytics-charts">
      <Chart title={t('analytics.chart.volume')}>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          {axis}
          <YAxis allowDecimals={false} fontSize={12} />
          <Tooltip />
          <Legend />
          <Line dataKey="conversations_started" name={t('analytics.conversations')} stroke={colors[0]} dot={false} />
          <Line dataKey="messages_in" name={t('analytics.messagesIn')} stroke={colors[1]} dot={false} />
          <Line dataKey="messages_out_bot" name={t('analytics.messagesOutBot')} stroke={colors[2]} dot={false} />
          <Line dataKey="messages_out_person" name={t('analytics.messagesOutPerson')} stroke={colors[3]} dot={false} />
        </LineChart>
      </Chart>
      <Chart title={t('analytics.chart.automation')}>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          {axis}
          <YAxis domain={[0, 100]} unit="%" fontSize={12} />
          <Tooltip />
          <Line dataKey="automation_percent" name={t('analytics.automationRate')} stroke={colors[1]} connectNulls />
        </LineChart>
      </Chart>
      <Chart title={t('analytics.chart.escalations')}>
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          {axis}
          <YAxis allowDecimals={false} fontSize={12} />
          <Tooltip />
          <Legend />
          {reasons.map((reason, i) => (
            <Bar key={reason} dataKey={`reason_${reason}`} name={reason} stackId="reasons" fill={colors[i % colors.length]} />
          ))}
        </BarChart>
      </Chart>
      <Chart title={t('analytics.chart.responseTimes')}>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          {axis}
          <YAxis unit=" s" fontSize={12} />
          <Tooltip />
          <Legend />
          <Line dataKey="first_response_bot_median_s" name={t('analytics.firstResponseBot')} stroke={colors[0]} connectNulls />
          <Line
            dataKey="first_response_person_median_s"
            name={t('analytics.firstResponsePerson')}
            stroke={colors[3]}
            connectNulls
          />
          <Line dataKey="resolution_median_s" name={t('analytics.resolution')} stroke={colors[2]} connectNulls />
        </LineChart>
      </Chart>
      <Chart title={t('analytics.chart.credits')}>
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          {axis}
          <YAxis allowDecimals={false} fontSize={12} />
          <Tooltip />
          <Bar dataKey="credits" name={t('analytics.credits')} fill={colors[0]} />
        </BarChart>
      </Chart>
    </div>
  );
}
