/// The MetlConfiguration module owns how metl's settings are resolved, every rule once (its DocC
/// catalog says what is in it). It does not use apple/swift-configuration: that resolves one key at a
/// time from its providers, while metl reports every problem of a file at once and refuses a key
/// nothing reads (a typo), which `ConfigurationTable` does.
public enum MetlConfiguration {}
