import HTTPTypes
import Mustache
import Payments

/// The templates, compiled into the binary, and the layout every page shares. Mustache escapes
/// every value it prints (`{{value}}`); only the layout's `{{{content}}}`, itself rendered by a
/// template, is inserted as it is.
struct Views: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        let templates: [String: [UInt8]] = [
            "layout": PackageResources.layout_mustache, "sign-in": PackageResources.sign_in_mustache,
            "today": PackageResources.today_mustache, "files": PackageResources.files_mustache, "file": PackageResources.file_mustache,
            "payments": PackageResources.payments_mustache, "payment": PackageResources.payment_mustache,
            "bank-files": PackageResources.bank_files_mustache, "bank-file": PackageResources.bank_file_mustache,
            "positive-pay": PackageResources.positive_pay_mustache, "approvals": PackageResources.approvals_mustache,
            "webhooks": PackageResources.webhooks_mustache, "audit": PackageResources.audit_mustache,
            "operators": PackageResources.operators_mustache, "account": PackageResources.account_mustache,
            "message": PackageResources.message_mustache,
        ]
        for (name, bytes) in templates {
            let text = String(decoding: bytes, as: UTF8.self)
            // A page's template is rendered inside its model's section, with the page-wide values
            // (the session's CSRF token) one level out, where every form finds them.
            try library.register(name == "layout" ? text : "{{#page}}" + text + "{{/page}}", named: name)
        }
        self.library = library
    }

    static let stylesheet = PackageResources.console_css

    /// One navigation link of the layout.
    struct NavLink: Sendable {
        var title: String
        var href: String
        var current: Bool
    }

    /// What a page's template sees around its model.
    struct PageContext {
        var page: Any
        var csrf: String
    }

    struct Layout {
        var title: String
        var content: String
        var signedIn: Bool
        var operatorName: String
        var roles: String
        var csrf: String
        var nav: [NavLink]
        var notice: String?
        var noticeIsError: Bool
    }

    /// `template` rendered with `model`, inside the layout: navigation for the signed-in person's
    /// roles, their name, the sign-out form, and the notice the last action left.
    func page(_ template: String, title: String, model: Any, for request: ConsoleRequest, notice: OperatorSession.Notice? = nil,
              status: HTTPResponse.Status = .ok) -> ConsoleReply {
        let content = library.render(PageContext(page: model, csrf: request.session?.csrf ?? ""), withTemplate: template) ?? ""
        let person = request.person
        var links: [NavLink] = []
        if let person {
            links = [("Today", "/console/today"), ("Files", "/console/files"), ("Payments", "/console/payments"),
                     ("Bank files", "/console/bank-files"), ("Positive Pay", "/console/positive-pay"), ("Approvals", "/console/approvals"),
                     ("Webhooks", "/console/webhooks"), ("Audit", "/console/audit")]
                .map { NavLink(title: $0.0, href: $0.1, current: request.path.hasPrefix($0.1)) }
            if ConsoleRoute.operatorList.allows(person.roles) {
                links.append(NavLink(title: "Operators", href: "/console/operators", current: request.path.hasPrefix("/console/operators")))
            }
        }
        let layout = Layout(title: title, content: content, signedIn: person != nil, operatorName: person?.name ?? "",
                            roles: person?.roles.sorted().map(\.rawValue).joined(separator: ", ") ?? "",
                            csrf: request.session?.csrf ?? "", nav: links, notice: notice?.text, noticeIsError: notice?.isError ?? false)
        return .html(library.render(layout, withTemplate: "layout") ?? "", status: status)
    }

    /// A page that only says something: a refusal, a missing page; in the asker's layout when known.
    func message(status: HTTPResponse.Status, title: String, text: String, for request: ConsoleRequest? = nil) -> ConsoleReply {
        struct Message { var title: String; var text: String }
        if let request { return page("message", title: title, model: Message(title: title, text: text), for: request, status: status) }
        let content = library.render(PageContext(page: Message(title: title, text: text), csrf: ""), withTemplate: "message") ?? ""
        let layout = Layout(title: title, content: content, signedIn: false, operatorName: "", roles: "", csrf: "", nav: [],
                            notice: nil, noticeIsError: false)
        return .html(library.render(layout, withTemplate: "layout") ?? "", status: status)
    }
}
