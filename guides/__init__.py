"""Program guides (resources): what coordinators publish for mentors, mentees or
everyone.

One module per role: ``models`` (and ``storage``, where attachments are kept outside
the web root), ``access`` (which guides each person may open), ``attachments`` (what
may be uploaded, judged by the bytes), ``forms``, ``services`` (writes), ``starter``
(the guides every new program begins with), ``selectors`` (reads), ``views``, and
``receivers`` (what guides do when programs announce a write). A guide's text is
Markdown, rendered through programs.markdown.
"""
