namespace ExEsdbGater.Beam.Distribution;

/// <summary>Distribution capability flags (erts dist.h; erl_dist_protocol "Distribution Flags").</summary>
internal static class DistributionFlags
{
    public const ulong Published = 0x1;
    public const ulong ExtendedReferences = 0x4;
    public const ulong DistMonitor = 0x8;
    public const ulong FunTags = 0x10;
    public const ulong DistMonitorName = 0x20;
    public const ulong NewFunTags = 0x80;
    public const ulong ExtendedPidsPorts = 0x100;
    public const ulong ExportPtrTag = 0x200;
    public const ulong BitBinaries = 0x400;
    public const ulong NewFloats = 0x800;
    public const ulong DistHdrAtomCache = 0x2000;
    public const ulong Utf8Atoms = 0x10000;
    public const ulong MapTag = 0x20000;
    public const ulong BigCreation = 0x40000;
    public const ulong SendSender = 0x80000;
    public const ulong Fragments = 0x800000;
    public const ulong Handshake23 = 0x1000000;
    public const ulong UnlinkId = 0x2000000;
    public const ulong V4Nc = 1UL << 34;

    /// <summary>What an OTP 25 peer insists on (DFLAG_DIST_MANDATORY_25); we require it of peers too.</summary>
    public const ulong Mandatory = ExtendedReferences | FunTags | NewFunTags | ExtendedPidsPorts | ExportPtrTag | BitBinaries
        | NewFloats | Utf8Atoms | MapTag | BigCreation | Handshake23;

    /// <summary>
    /// What we advertise: the mandatory set plus OTP 26's (UNLINK_ID, V4_NC), monitors and SEND_SENDER. Not PUBLISHED
    /// (hidden), not DIST_HDR_ATOM_CACHE (pass-through frames), not FRAGMENTS (no reassembly), not EXIT_PAYLOAD (exit
    /// reasons stay in the control tuple), not ALIAS (we cannot be sent ALIAS_SEND).
    /// </summary>
    public const ulong Ours = Mandatory | UnlinkId | V4Nc | DistMonitor | DistMonitorName | SendSender;
}
