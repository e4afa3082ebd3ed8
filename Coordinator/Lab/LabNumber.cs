using System.Globalization;

namespace DistTrainer.Coordinator.Lab;

/// <summary>How the lab's reports write numbers: three decimals, or where those would hide the value, two significant digits and an exponent.</summary>
public static class LabNumber
{
    public static string Format(double? value) => value switch
    {
        null => "–",
        double v when v != 0 && double.IsFinite(v) && (Math.Abs(v) < 1e-3 || Math.Abs(v) >= 1e3) => v.ToString("0.0e0", CultureInfo.InvariantCulture),
        double v => v.ToString("0.000", CultureInfo.InvariantCulture),
    };

    /// <summary>A learning rate as a person writes it: 0.01, 0.13, 1.</summary>
    public static string Rate(float rate) => rate.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);
}
