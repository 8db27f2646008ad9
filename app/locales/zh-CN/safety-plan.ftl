# 我的安全计划（app/src/safety_plan/）：写给自己、只留在这台设备上的清单。
# 用词遵循安全沟通原则：不许诺热线做不到的事，不要求孩子说自己“安全”，不写任何方法细节。

safety-plan-title = 我的安全计划
safety-plan-intro = 安全计划是你写给自己的一份清单，留给特别难受、或者出现伤害自己的念头的时候用。那时很难想清楚该做什么，可以照着它一步一步来。用你自己的话写，每一步写几个字就够了，以后也可以再改。
safety-plan-privacy-title = 谁能看到这份计划
safety-plan-privacy-sent = 你在这里写的内容不会发送给任何人：不会发到安心的服务器，也不会发给别人。除非你打开“在这台设备上保存这份计划”，否则关掉或刷新这一页后，内容就没有了。
safety-plan-privacy-shared = 如果选择保存，计划会存在这台设备的浏览器里，其他使用这台设备或这个浏览器的人（比如和家人共用的手机）打开这一页就能看到。打印出来的计划，谁拿到都能读。可以把它放在你自己选的地方，或者交给一个你信任的人。
safety-plan-needs-script = 浏览器没有开启 JavaScript 时，这一页不能把计划保存在这台设备上。你仍然可以填写，并用浏览器菜单里的“打印”把它打印出来；关掉这一页后，内容不会保留。
safety-plan-no-storage = 这个浏览器不允许网页保存内容（比如无痕模式或某些应用内的浏览器），所以计划不能保存在这里。你仍然可以填写并打印。
safety-plan-keep = 在这台设备上保存这份计划
safety-plan-keep-hint = 默认不保存。打开后，你写的内容会一边写一边保存在这台设备上，下次打开这一页还在。
safety-plan-kept = 已保存在这台设备上，之后写的内容会自动保存。
safety-plan-unkept = 已不再保存，这台设备上的副本已删除。屏幕上的内容在关掉这一页之前还在。
safety-plan-full = 这台设备没有空间保存计划了。你仍然可以打印。
safety-plan-forget = 忘记我的计划
safety-plan-forget-hint = 点一下，就会删除这台设备上保存的计划，并清空屏幕上写的内容。
safety-plan-forgotten = 计划已清除：这一页在这台设备上保存的副本已删除，屏幕上的内容也已清空。打印出来的纸要你自己收好或销毁。
safety-plan-print = 打印我的计划
safety-plan-print-hint = 打印出来是一页纸。可以放在钱包、书包或枕头下面这样你找得到的地方。
safety-plan-step = 第 { $n } 步：{ $title }

safety-plan-signs-title = 我的预警信号
safety-plan-signs-hint = 哪些迹象说明难受的时候要来了？可以是念头、感受、你会做的事，或者某些地点、时间。比如：“睡不着”“不想回任何人的消息”“觉得什么都不会变好”。
safety-plan-self-title = 我自己可以做的事
safety-plan-self-hint = 以前让你稍微平静一点的事，哪怕只有一小会儿：听音乐、出去走走、洗个热水澡、画画、慢慢呼吸、把心里的感受写下来。
safety-plan-distract-title = 能让我转移注意力的人和地方
safety-plan-distract-hint = 和他们在一起、或者待在那里会好受一点的人和地方，不用说出自己的感受也可以：一个朋友、表哥表姐、图书馆、公园、操场。
safety-plan-people-title = 我可以求助的人
safety-plan-people-hint = 你可以对他说“我现在很难受，我需要帮助”的大人或朋友，以及怎么联系他们：爸爸妈妈、亲戚、班主任、学校心理老师。写下名字和电话。
safety-plan-lines-title = 可以联系的专业人员和热线
safety-plan-lines-hint = 已经填好了本站的求助热线，你可以修改：加上学校心理老师、医生或本地的热线。各条热线的服务时间写在号码旁边。如果有人已经受伤或现在就有危险，请拨打 120 或 110。
safety-plan-safer-title = 让周围环境更安全
safety-plan-safer-hint = 难受的时候，身边能伤到自己的东西少一些，会更安全。可以请一个你信任的大人帮你把这类东西暂时收起来，或者去一个有别人在的地方。写下你会找谁、会怎么做。
safety-plan-reason-title = 一个让我坚持下去的理由
safety-plan-reason-hint = 对你重要的人或事，或者一件你期待的事，再小也可以：一个人、一只宠物、一个打算、一个想去的地方。

# 第 5 步预先填好的内容（可以修改）
safety-plan-line = { $name }：{ $number }（{ $hours }）
safety-plan-line-counsellor = 学校心理老师：
safety-plan-line-danger = 如果已经受伤，或现在就有危险：

# 从其他地方进入
safety-plan-link = 我的安全计划
safety-plan-help-text = 提前写下难受时可以做的事、可以找的人和可以拨打的电话。写的内容不会发送给任何人，可以保存在你自己的设备上，也可以打印出来。
safety-plan-open = 写我的安全计划
safety-plan-crisis-link = 打开我的安全计划
safety-plan-next-step = 写下我的安全计划：难受时可以做的事和可以找的人
