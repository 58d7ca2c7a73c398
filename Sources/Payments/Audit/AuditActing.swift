/// Who is acting for the changes made in the current task, when the change itself does not say
/// (a merchant added, an API key revoked, an endpoint disabled): the operator a command acts as,
/// read by the stores for the audit entries of records that name no actor.
public enum AuditActing {
    @TaskLocal public static var actor: Actor?
}
