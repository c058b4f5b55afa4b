from django.utils import translation


class ApiLanguageMiddleware:
    """Let API clients choose the language with Accept-Language.

    Pages carry their language in the URL (/fr/, /es/, /ar/; English unprefixed), so
    LocaleMiddleware treats every unprefixed path as English. The API lives outside the
    language prefixes; for it, the request header decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
