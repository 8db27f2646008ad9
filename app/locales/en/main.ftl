# Anxin · English

app-name = Anxin
app-tagline = Youth mental-health services
language-name = English
skip-to-content = Skip to content
nav-label = Sections
nav-self-check = Self-check
nav-booking = Booking
nav-courses = Courses
nav-parent-school = Parent school
nav-self-check-description = Take a mental-health questionnaire anonymously. Your answers stay on your phone.
nav-booking-description = Book a free session at a hospital youth clinic or guidance centre, no account needed.
nav-courses-description = Short courses and lessons on emotions, study stress, sleep and relationships.
nav-parent-school-description = Courses for parents by your child's grade: talking, emotions and support.

# Help
help-button = Need help now?
help-panel-label = Helplines
help-urgent = If you or someone near you is in danger, call 110 or 120 now.
help-more = More ways to get help
help-title = Helplines
help-intro = Whatever is happening, you do not have to face it alone. You can call any of these numbers directly; calls are confidential.
help-quick-exit-title = Quick exit
help-quick-exit-text = Every page has a "Quick exit" button at the top. It takes you straight to an ordinary website and replaces this page in your browser history.
help-privacy-title = Your privacy
help-privacy-text = You do not need an account to use this site, and it sets no tracking cookies. Self-check answers and results are worked out on your phone and are never sent to anyone.
safety-bar-label = Urgent help
quick-exit = Quick exit

hotline-110-name = Police
hotline-110-hours = 24 hours
hotline-120-name = Ambulance
hotline-120-hours = 24 hours
hotline-12356-name = National mental-health helpline
hotline-12356-hours = 24 hours (may vary by region)
hotline-12355-name = Youth service line
hotline-12355-hours = Hours vary by region; 24 hours in some areas

hotline-error-name = Give the name in Chinese and English (at most 60 characters each).
hotline-error-number = A number may hold digits, spaces, "-" and a leading "+", with 3 to 20 digits.
hotline-error-hours = Give the hours in Chinese and English (at most 80 characters each).

# Footer
privacy-title = Privacy
privacy-statement = Anxin needs no account, uses no trackers and loads nothing from other sites. Self-check answers stay on your phone. Booking asks only for what is needed to reach you.
footer-help = See all helplines

# Home
home-title = Home
home-heading = Hello, this is Anxin
home-lead = Free mental-health services for school students and parents: anonymous self-checks, free counselling sessions, courses and a parent school.
home-help-title = Need help right now?
home-help-text = The mental-health helpline 12356 and the youth service line 12355 are there for you. If anyone is in danger, call 110 or 120 now.

# Sections
self-check-title = Self-check
self-check-intro = Standard questionnaires (such as PHQ-9 and GAD-7) to understand how you have been feeling. Everything happens on your phone; your answers never leave it.
booking-title = Book a session
booking-intro = Book free sessions at hospital youth mental-health centres and student guidance centres, without an account.
courses-title = Courses
courses-intro = Mental-health courses and short lessons for primary, junior and senior school students.
parent-school-title = Parent school
parent-school-intro = Courses for parents by your child's grade, and short "warm lessons" to help families talk.
section-not-open = This service is not open on this site yet. If you need help, call one of the lines below.

# Errors
not-found-title = Page not found
not-found-text = This page does not exist or has moved.
not-found-home = Back to the home page

# Self-check
self-check-privacy = Your answers are worked out on this phone only. They are never sent to anyone and never saved.
self-check-item-count = { $count } questions
self-check-ages = ages { $min }+
self-check-progress = Question { $n } of { $total }
self-check-back = Back
self-check-next = Next
self-check-finish = See my result
self-check-result-title = Your result
self-check-score-of = Score { $value } (out of { $max })
self-check-unreliable = Some of your answers did not quite fit together, so this result may not be accurate. You could try again another time.
self-check-not-diagnosis = This result helps you understand how you have been lately. It is not a diagnosis: only a professional who talks with you can make one. Whatever your score, if you are struggling, it is worth asking for help.
self-check-next-steps = What you can do next
self-check-book = Book a free session
self-check-courses = Look at related courses
self-check-again = Take another questionnaire
self-check-print = Print or save the result
self-check-change = Change my answers
self-check-about = About this questionnaire
self-check-needs-script = This questionnaire needs JavaScript turned on in your browser. If you need help, call one of the lines at the top of the page.
crisis-title = Are you safe right now?
crisis-text = You said you have had thoughts of hurting yourself or of being better off dead. Thank you for saying so; that takes courage. Please reach someone who can help now: if you are in danger, call 110 or 120; you can also call a helpline and talk to a professional.
crisis-continue = I am safe, continue
crisis-reminder = You mentioned thoughts of hurting yourself. Please talk to someone you trust or a professional; these lines are there for you any time.
self-check-export-title = Export (FHIR format)
self-check-export-note = The file is saved straight onto this phone; nothing is uploaded. The answers file holds your answers: give it only to someone you trust, such as the counsellor at your appointment.
self-check-export-response = Download my answers (QuestionnaireResponse)
self-check-export-questionnaire = Download this questionnaire (Questionnaire)
self-check-keep = Keep this result on this phone
self-check-keep-note = Nothing is kept unless you choose to. If you do, only the date and the scores are kept (never your answers), in this phone's browser only, and one tap deletes them.
self-check-kept = Kept on this phone.
self-check-kept-title = Results kept on this phone
self-check-delete-kept = Delete all kept results
self-check-deleted = All kept results are deleted.
self-check-qr-button = Make a QR code to show a counsellor
self-check-qr-note = The QR code holds only the lines below, and was made on this phone. You can choose to show it to the counsellor at your appointment.
self-check-qr-crisis = Mentioned thoughts of self-harm
