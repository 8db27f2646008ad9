# My safety plan (app/src/safety_plan/): a list written for oneself, kept only on this device.
# Safe-messaging wording: no promise a line cannot keep, never asking a child to say they are
# safe, no detail of any method.

safety-plan-title = My safety plan
safety-plan-intro = A safety plan is a short list you write for yourself, for the moments when things get really hard or thoughts of hurting yourself come. At those times it is hard to think clearly, so you can follow it step by step. Write in your own words: a few words in each step is enough, and you can change it later.
safety-plan-privacy-title = Who can read this plan
safety-plan-privacy-sent = What you write here is not sent to anyone: not to Anxin's server and not to anyone else. Unless you turn on "Keep this plan on this device", it is gone when you close or reload this page.
safety-plan-privacy-shared = If you keep it, it is saved in this device's browser, and anyone else who uses this device or this browser (a phone shared with family, say) can open this page and read it. A printed copy can be read by whoever finds it. Keep it somewhere you choose, or give it to someone you trust.
safety-plan-needs-script = Without JavaScript this page cannot keep your plan on this device. You can still fill it in and print it from your browser's menu; nothing is kept when you close the page.
safety-plan-no-storage = This browser does not let pages keep anything (private browsing, or some in-app browsers), so the plan cannot be kept here. You can still fill it in and print it.
safety-plan-keep = Keep this plan on this device
safety-plan-keep-hint = Off until you turn it on. Once it is on, what you write is saved on this device as you type, and is here again when you next open this page.
safety-plan-kept = Kept on this device. What you write from now on is saved as you type.
safety-plan-unkept = No longer kept: the copy on this device is deleted. What is on the screen stays until you close the page.
safety-plan-full = This device has no room to keep the plan. You can still print it.
safety-plan-forget = Forget my plan
safety-plan-forget-hint = One tap deletes the plan kept on this device and clears what is on the screen.
safety-plan-forgotten = Your plan is cleared: the copy this page kept on this device is deleted and the fields are empty. A printed copy is yours to keep safe or destroy.
safety-plan-print = Print my plan
safety-plan-print-hint = It prints on one page. You could keep it where you can find it: in a wallet, a school bag or under your pillow.
safety-plan-step = Step { $n }: { $title }

safety-plan-signs-title = My warning signs
safety-plan-signs-hint = What tells you a hard time is starting? Thoughts, feelings, things you do, places or times of day. For example: "I can't sleep", "I stop answering messages", "I feel nothing will get better".
safety-plan-self-title = Things I can do on my own
safety-plan-self-hint = Things that helped you feel a little calmer before, even for a short while: music, going for a walk, a warm shower, drawing, breathing slowly, writing down how you feel.
safety-plan-distract-title = People and places that take my mind off things
safety-plan-distract-hint = People you feel a bit better with, and places where you feel a bit better, even without talking about how you feel: a friend, a cousin, the library, a park, a sports ground.
safety-plan-people-title = People I can ask for help
safety-plan-people-hint = Adults or friends you could tell "I'm having a really hard time and I need help", and how to reach them: a parent, a relative, your class teacher, the school counsellor. Write their names and numbers.
safety-plan-lines-title = Professionals and lines to call
safety-plan-lines-hint = Filled in with this site's help lines; you can change it: add the school counsellor, a doctor or a local line. Each line's hours are beside its number. If someone is already hurt or in danger right now, call 120 or 110.
safety-plan-safer-title = Making my surroundings safer
safety-plan-safer-hint = When things are hard, it is safer to have fewer things around that you could hurt yourself with. You could ask an adult you trust to put such things away for a while, or go somewhere other people are. Write down who you would ask and what you would do.
safety-plan-reason-title = One reason to keep going
safety-plan-reason-hint = Someone or something that matters to you, or something you are looking forward to, however small: a person, a pet, a plan, a place you want to see.

# Step 5's prefilled text (editable)
safety-plan-line = { $name }: { $number } ({ $hours })
safety-plan-line-counsellor = School counsellor:
safety-plan-line-danger = If someone is already hurt or in danger right now:

# Ways in from elsewhere
safety-plan-link = My safety plan
safety-plan-help-text = Write down ahead of time what you can do, who you can reach and which numbers to call when things get hard. What you write is not sent to anyone; you can keep it on your own device, or print it.
safety-plan-open = Write my safety plan
safety-plan-crisis-link = Open my safety plan
safety-plan-next-step = Write my safety plan: what I can do and who I can reach when things get hard
