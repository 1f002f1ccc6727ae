// A uPlot line chart of one or more series sharing a time axis. Colours come
// from the theme's CSS variables, so both themes read well.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";

export interface ChartSeries {
  label: string;
  color: string; // a CSS variable name, e.g. "--series-1"
}

// "dark" or "light", following the system's setting as it changes.
function useColorScheme(): string {
  const query = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const on = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener("change", on);
    return () => query.removeEventListener("change", on);
  }, []);
  return dark ? "dark" : "light";
}

export function Chart(props: {
  title: string;
  series: ChartSeries[];
  data: [number[], ...(number | null)[][]];
  format: (v: number | null) => string;
  yMax?: number;
  // The top of the y axis when the data stays below it (e.g. 1 KiB/s), so
  // an idle series does not fill the axis with near-zero ticks.
  yFloor?: number;
  // The time window asked for (Unix seconds): the x axis spans it even
  // where there is no data yet, and grows with live points.
  window: [number, number];
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scheme = useColorScheme();
  const win = useRef(props.window);
  win.current = props.window;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const v = (name: string) => css.getPropertyValue(name).trim() || "#888";
    const axis = { stroke: v("--fg-muted"), grid: { stroke: v("--grid"), width: 1 }, ticks: { stroke: v("--grid") } };
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 180,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (_u, min, max) => [Math.min(min ?? win.current[0], win.current[0]), Math.max(max ?? win.current[1], win.current[1])] },
        y: props.yMax ? { range: [0, props.yMax] } : { range: (_u, _min, max) => [0, Math.max(max > 0 ? max * 1.1 : 0, props.yFloor ?? 1)] },
      },
      axes: [axis, { ...axis, size: 70, values: (_u, ticks) => ticks.map((t) => props.format(t)) }],
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: v(s.color), width: 2, value: (_u: uPlot, val: number | null) => props.format(val), spanGaps: false }))],
    };
    const u = new uPlot(opts, props.data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(280, el.clientWidth), height: 180 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [props.series.map((s) => s.label).join(), props.yMax, scheme]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} role="img" aria-label={`${props.title} chart`} />
    </figure>
  );
}
