using System.Globalization;

namespace CertDaemon.Bench.Infrastructure;

/// <summary>Median, minimum and maximum of repeated measurements (the issue asks for these three).</summary>
internal sealed record Summary(int Count, double Median, double Min, double Max)
{
    public static Summary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new Summary(0, double.NaN, double.NaN, double.NaN);
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Summary(sorted.Length, median, sorted[0], sorted[^1]);
    }

    /// <summary>"median (min-max)" with <paramref name="format"/>; "-" when nothing was measured.</summary>
    public string Format(string format = "F2") => Count == 0 ? "-"
        : Count == 1 ? Median.ToString(format, CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}-{Max.ToString(format, CultureInfo.InvariantCulture)})");
}
